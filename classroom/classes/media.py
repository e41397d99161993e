"""What an assignment may carry: the school's licensed video link and its WebVTT captions."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_CAPTIONS_BYTES = 512 * 1024
# The languages a captions track may be in: code (the track's srclang) and the name students pick from.
# English and Russian first, the film's two; then languages a school's students may read best.
CAPTION_LANGUAGES = {
    "en": "English",
    "ru": "Russian (русский)",
    "uk": "Ukrainian (українська)",
    "de": "German (Deutsch)",
    "fr": "French (français)",
    "es": "Spanish (español)",
    "nl": "Dutch (Nederlands)",
    "pl": "Polish (polski)",
}
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
# Sites whose links open a web page with its own player, not a video file: the watch-along's
# <video> cannot play them, and students would get a dead player.
VIDEO_PAGE_SITES = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "youtube-nocookie.com": "YouTube",
    "vimeo.com": "Vimeo",
}
WHAT_WORKS = (
    "Use a direct link to the video file or stream itself (ending in .mp4, .webm or .m3u8), for example "
    "from your school's media server or licensed streaming service."
)


class MediaError(ValueError):
    """A link or file the assignment cannot use; the message is shown next to the field."""


def check_video_url(url: str, allow_loopback_http: bool = False) -> str:
    """The cleaned URL of a licensed stream or video file, or raise MediaError.

    Only https, so a class page never mixes insecure media in; plain http only to this
    machine when the app is configured for it (browser tests serve a clip locally).
    """
    url = (url or "").strip()
    if not url:
        return ""
    if any(ch.isspace() for ch in url) or len(url) > 2000:
        raise MediaError("That is not a web address. Paste the full link, starting with https://.")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # an unbalanced IPv6 bracket: "https://[::1"
        raise MediaError("That is not a web address. Paste the full link, starting with https://.") from None
    scheme = parts.scheme.lower()
    if not host or parts.username or parts.password:
        raise MediaError("That is not a web address. Paste the full link, starting with https://.")
    site = video_page_site(host)
    if site:
        raise MediaError(
            f"That is a {site} page, not a video file: the player on the students' page cannot play it. {WHAT_WORKS}"
        )
    if scheme == "https":
        return url
    if scheme == "http" and allow_loopback_http and host in LOOPBACK_HOSTS:
        return url
    raise MediaError("Use a secure link that starts with https:// (your school's licensed stream or video file).")


def video_page_site(host: str) -> str | None:
    """The name of a video site whose links are web pages (YouTube, Vimeo), or None."""
    host = host.lower().rstrip(".")
    for domain, name in VIDEO_PAGE_SITES.items():
        if host == domain or host.endswith("." + domain):
            return name
    return None


def read_captions(data: bytes) -> str:
    """The text of an uploaded WebVTT file, or raise MediaError when it is too big or not WebVTT."""
    if len(data) > MAX_CAPTIONS_BYTES:
        raise MediaError(f"The captions file is too big: the limit is {MAX_CAPTIONS_BYTES // 1024} KB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MediaError("The captions file must be a UTF-8 WebVTT (.vtt) file.") from error
    if not text.startswith("WEBVTT"):
        raise MediaError("That is not a WebVTT file: its first line must start with WEBVTT.")
    return text.replace("\r\n", "\n")
