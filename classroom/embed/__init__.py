"""Student pages inside other sites: which origins may frame them, and cookies that survive the frame (/embed)."""
