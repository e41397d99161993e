"""The stance poll every plan carries: asked before and after viewing."""

DEFAULT_STANCE_QUESTION = "How should Stalin be remembered?"
DEFAULT_STANCE_OPTIONS = [
    "As the leader who won the war and made the country strong",
    "As the man responsible for the deaths of millions",
    "As both at once",
    "I am not sure",
]
