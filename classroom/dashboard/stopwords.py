"""Words too common to be a theme, in English and Russian (ё written as е), plus reflection filler."""

ENGLISH = frozenset(
    """
    a about above after again against all also although am an and any are aren't around as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each even ever every few for from further get gets got had hadn't has hasn't have haven't having he
    he'd he'll he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've if in into
    is isn't it it's its itself just let's like made make makes many may me might more most much must mustn't my
    myself never no nor not now of off often on once one only or other others ought our ours ourselves out over
    own quite rather really same shan't she she'd she'll she's should shouldn't since so some something still such
    than that that's the their theirs them themselves then there there's these they they'd they'll they're they've
    thing things this those though through thus to too under until up upon us very was wasn't way we we'd we'll
    we're we've well were weren't what what's when when's where where's whether which while who who's whom whose
    why why's will with within without won't would wouldn't yet you you'd you'll you're you've your yours yourself
    yourselves
    think thought feel felt seem seems seemed see saw seen say said says know knew lot lots kind sort maybe
    probably actually basically definitely especially already another anything everything nothing someone
    everyone anyone people's also went go goes going gone come came take took want wanted need needs shows show
    showed part point yes okay ok etc
    """.split()
)

RUSSIAN = frozenset(
    """
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его ее
    ей ему если есть еще же за здесь и из или им их к как ко когда кто ли либо мне может мы на над надо наш не
    него нее нет ни них но ну о об однако он она они оно от очень по под при с со так также такой там те тем
    то того тоже той только том ты у уже хотя чего чей чем что чтобы чье чья эта эти это я
    меня мой моя мое мои свой своя свое свои себя себе тебя тебе нас нам ним ней нем этот этого этой этом этих
    тот та тех тому всё всем всеми была будет будут было бывает можно нужно ведь вдруг опять потом потому
    поэтому почему сейчас тогда теперь зачем куда откуда сам сама само сами самый который которая которое
    которые которых котором какой какая какое какие чтоб между через после перед около про раз два
    думаю думать кажется наверное конечно просто очень вообще например например вроде тут
    """.split()
)

STOP_WORDS = ENGLISH | RUSSIAN
