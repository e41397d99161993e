"""Students' reflections for the benchmark: varied 40-200 word texts built from sentence pieces.

The pieces are our own words about the film's themes. A seeded random generator makes the same
pool every time, so two benchmark runs read the same texts.
"""

from __future__ import annotations

import random

OPENERS = (
    "What stayed with me most was",
    "I keep thinking about",
    "The part that surprised me was",
    "At first I did not understand",
    "Honestly, I was uncomfortable with",
    "I noticed",
    "Our class argued about",
    "It was hard to watch",
    "Before the film I had not thought about",
    "My first reaction was confusion about",
)

SUBJECTS = (
    "the old women who bring flowers to the statue every year",
    "the man who keeps a museum for Stalin in his own house",
    "the talk show where the guests shouted over each other",
    "the teenagers at the celebration in Crimea",
    "the school class where nobody talks about the past at home",
    "the volunteers who write down the names of people who were shot",
    "the bones that are still found near the old camps",
    "the cities in the far north that prisoners built",
    "the woman whose father was taken away and who still defends the leader",
    "the marches where people carry his portrait",
    "the quiet villages where some people miss the old order",
    "the archive footage of the camps",
    "the teacher who tried not to tell the students what to think",
)

IDEAS = {
    "memory": (
        "A family can remember one thing while the state tells another story.",
        "Silence is also a kind of memory, because someone decided what not to say.",
        "My grandparents never talk about that time, and now I wonder why.",
        "Remembering is hard when the people who suffered are told to be proud instead.",
        "Some memories are passed on by what families leave out.",
    ),
    "legacy": (
        "People seem to hold the victory in the war and the terror in the same hand.",
        "It is strange that a country can be proud and ashamed of the same years.",
        "The factories and the camps were built by the same system.",
        "Calling him a strong manager hides how many people paid for it.",
        "The legacy is not finished, because people still fight about what it means.",
    ),
    "nostalgia": (
        "I think the nostalgia is more about feeling safe than about the leader himself.",
        "When life is uncertain, an old strong hand can look comforting.",
        "Pride and pain live side by side in the same person, and the film lets us see both.",
        "Maybe people miss being young more than they miss that time.",
        "Nostalgia can make people forget the parts that hurt.",
    ),
    "justice": (
        "Nobody was ever put on trial, so the question of guilt was never answered.",
        "Without a court, the volunteers become the ones who keep the record.",
        "Writing down a name is a small kind of justice.",
        "It seems unfair that the families had to stay quiet while nobody was punished.",
        "Justice here means at least saying what happened out loud.",
    ),
    "media": (
        "The television show was more about winning the argument than finding the truth.",
        "The way the show was filmed made every opinion look equally valid.",
        "I wonder who decides which guests are invited to those programmes.",
        "Some of the speeches sounded like things politicians still say today.",
        "Media can turn a painful history into entertainment.",
    ),
    "film literacy": (
        "The director never tells us what to think; she just puts the pictures next to each other.",
        "Cutting from the flowers to the bones felt like a judgement without words.",
        "There is no narrator, so we have to make up our own minds.",
        "The long quiet shots gave me time to think about what people were saying.",
        "Mixing interviews with archive film makes the past feel very close.",
    ),
}

CLOSERS = (
    "I would like to ask my own family about this.",
    "I am still not sure what I think, and maybe that is the point.",
    "This made me think about how my own country remembers its past.",
    "I want to find out more about the people who were never named.",
    "It made me realise history is still being argued about.",
    "I think everyone in our class saw it a bit differently.",
)

EMPHASIS = ("**{}**", "*{}*")

QUOTES = (
    "> Nobody asked them what they thought.",
    "> Pride and pain at the same time.",
    "> Who keeps the record?",
)

# A few students write personal details; the app's flag rules then mark those reflections.
PERSONAL_DETAILS = (
    "You can read my notes at example.org/notes if you want.",
    "Write to me at student.notes@example.org about this.",
    "My aunt lives at 12 Lenin Street and she remembers the marches.",
    "Call me on +44 20 7946 0000 if the homework is due.",
)


def _sentence(rng: random.Random, theme: str) -> str:
    kind = rng.random()
    if kind < 0.35:
        subject = rng.choice(SUBJECTS)
        if rng.random() < 0.2:
            subject = rng.choice(EMPHASIS).format(subject)
        return f"{rng.choice(OPENERS)} {subject}."
    pool = IDEAS[theme] if kind < 0.8 else IDEAS[rng.choice(tuple(IDEAS))]
    return rng.choice(pool)


def reflection_text(rng: random.Random, theme: str, target_words: int, personal: bool = False) -> str:
    """One reflection of about `target_words` words (never under 40 or over 200) on the theme."""
    target = min(200, max(40, target_words))
    paragraphs: list[list[str]] = [[]]
    used: set[str] = set()
    words = 0
    # Room is left under 200 words for a quote, a list or a personal detail added below.
    while True:
        sentence = _sentence(rng, theme)
        if sentence in used:
            continue
        if words + len(sentence.split()) > 160:
            break
        used.add(sentence)
        paragraphs[-1].append(sentence)
        words += len(sentence.split())
        if words >= target:
            break
        if len(paragraphs[-1]) >= 3 and rng.random() < 0.4:
            paragraphs.append([])
    if words < 40:
        paragraphs[-1].append(rng.choice(CLOSERS))
    blocks = [" ".join(p) for p in paragraphs if p]
    roll = rng.random()
    if roll < 0.1:
        blocks.insert(min(1, len(blocks)), rng.choice(QUOTES))
    elif roll < 0.18:
        items = rng.sample(IDEAS[theme], 2)
        blocks.append("\n".join(f"- {item}" for item in items))
    if personal:
        blocks.append(rng.choice(PERSONAL_DETAILS))
    return "\n\n".join(blocks)


def text_pool(
    size: int, themes: tuple[str, ...], seed: int = 13, personal_share: float = 0.03
) -> list[tuple[str, str]]:
    """`size` distinct (theme, text) pairs with lengths spread over 40-200 words."""
    rng = random.Random(seed)
    pool: list[tuple[str, str]] = []
    seen: set[str] = set()
    attempts = 0
    while len(pool) < size and attempts < size * 20:
        attempts += 1
        theme = themes[len(pool) % len(themes)]
        # Most reflections are short paragraphs; a few students write at length.
        target = int(rng.triangular(40, 200, 80))
        text = reflection_text(rng, theme, target, personal=rng.random() < personal_share)
        if text not in seen:
            seen.add(text)
            pool.append((theme, text))
    return pool
