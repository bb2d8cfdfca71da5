"""Signals that a piece of a page is furniture rather than article text.

Two kinds of evidence live here: what authors *call* their boilerplate (class and id names,
ARIA roles) and what boilerplate *looks like* once rendered (short lines such as "Share this",
"Advertisement", "Read more"). Both are deliberately generic: they describe how web pages are
built, not any particular site.
"""

from __future__ import annotations

import re

# Tags whose content is never article text. Removed wholesale before anything else.
JUNK_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "button",
    "select",
    "textarea",
    "nav",
    "menu",
    "dialog",
    "head",
)
# Rarer never-text tags are not worth a pass over the tree each; the renderer skips them.
SKIPPED_TAGS = frozenset(
    {
        *JUNK_TAGS,
        "title",
        "canvas",
        "object",
        "embed",
        "input",
        "option",
        "link",
        "meta",
        "map",
        "area",
        "audio",
        "video",
        "source",
        "track",
        "math",
        "wbr",
        "param",
        "datalist",
    }
)

# CSS selectors matched in one pass by the parser (cheap), each match confirmed in Python.
# A broad selector (one cheap pass), confirmed in Python on the few matches: attribute
# presence is much cheaper for the selector engine to test than value patterns.
HIDDEN_SELECTOR = "[hidden], [aria-hidden], [style]"
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
ROLE_SELECTOR = (
    "[role=navigation], [role=banner], [role=contentinfo], [role=complementary], "
    "[role=search], [role=menu], [role=menubar], [role=dialog], [role=alertdialog], "
    "[role=toolbar], [role=tablist]"
)

# Substrings of class/id names that, by themselves, mean "not the article". The selector
# finds candidates quickly; BOILERPLATE_NAME then confirms them on word-ish boundaries.
_NAME_STEMS = (
    "share",
    "social",
    "comment",
    "related",
    "recommend",
    "newsletter",
    "subscri",
    "signup",
    "sign-up",
    "cookie",
    "consent",
    "gdpr",
    "advert",
    "sponsor",
    "promo",
    "banner",
    "sidebar",
    "widget",
    "footer",
    "breadcrumb",
    "pagination",
    "pager",
    "popup",
    "modal",
    "overlay",
    "outbrain",
    "taboola",
    "disqus",
    "author",
    "byline",
    "bio",
    "tags",
    "tag-list",
    "taglist",
    "keyword",
    "topics",
    "more-",
    "read-more",
    "readmore",
    "trending",
    "popular",
    "most-read",
    "mostread",
    "teaser",
    "nav",
    "menu",
    "masthead",
    "header",
    "toolbar",
    "print",
    "email",
    "follow",
    "login",
    "donate",
    "skip",
    "sr-only",
    "visually-hidden",
    "ad-",
    "-ad",
    "_ad",
    "ad_",
    "ads",
    "dfp",
    "gpt",
    "rail",
    "aside",
    "caption-credit",
    "credit",
    "meta",
    "date",
    "timestamp",
    "dateline",
    "rating",
    "feedback",
    "survey",
    "next",
    "prev",
    "carousel",
    "slider",
    "jump",
    "toc",
    "also",
    "copyright",
    "legal",
    "foot",
)
NAME_SELECTOR = ", ".join(f"[class*='{stem}' i], [id*='{stem}' i]" for stem in _NAME_STEMS)

# The name patterns are matched against lowercased names: case-insensitive matching of
# alternations this large is several times slower in Python's engine.

# Names that mean "not the article" even on an element that also says "content" or "post":
# nobody calls the article body "comments" or "share-bar".
STRONG_NAME = re.compile(
    r"""
    (?:^|[\s_-])(?:
        share|sharing|sharebar|social|socials|comments?|commenting|disqus|
        related|relatedposts|recommend\w*|newsletter\w*|subscri\w*|sign-?up|cookies?|
        consent|gdpr|adverts?|advertisement\w*|advertising|sponsor\w*|promo\w*|
        outbrain|taboola|breadcrumbs?|pagination|pager|
        more-?stories|more-?articles|more-?news|read-?more|readmore|trending|popular|
        most-?read|most-?popular|author-?bio|author-?box|about-?the-?author|
        see-?also|also-?read|inline-?related|jump-?link|skip-?link|visually-?hidden|
        sr-?only|screen-?reader\w*|ad-?slot|ad-?unit|ad-?container|ad-?wrapper|
        tag-?list|tag-?cloud|call-?to-?action|cta|edit-?section|editsection|edit-?link|
        headerlink
    )(?:$|[\s_-])
    """,
    re.VERBOSE,
)

# Names that usually mean furniture, unless the same element also calls itself content
# ("content-with-sidebar", "article-main-header" wrappers hold the body on some layouts).
WEAK_NAME = re.compile(
    r"""
    (?:^|[\s_-])(?:
        banner|sidebar|widget\w*|footer|overlay|author|authors|byline|bio|tags|keywords|
        topics|teasers?|nav|navbar|navigation|menu|masthead|header|site-?header|
        page-?header|toolbar|print|email|follow|login|donate|skip|ad|ads|dfp|gpt|rail|
        right-?rail|aside|credits?|meta|post-?meta|entry-?meta|article-?meta|date|
        timestamp|dateline|rating|feedback|survey|next|prev|previous|carousel|slider|toc|
        copyright|legal|foot
    )(?:$|[\s_-])
    """,
    re.VERBOSE,
)
# Either of the two above: one search rules out most elements.
ANY_FURNITURE_NAME = re.compile(f"{STRONG_NAME.pattern}|{WEAK_NAME.pattern}", re.VERBOSE)
CONTENT_WORDS = re.compile(r"article|content|main|body|column|post|entry|story|text|blog")

# Names that mark the article itself: an element matching these is never removed by name,
# because many sites give the body wrapper a compound class like "article-body comments-on".
ARTICLE_NAME = re.compile(
    r"(?:^|[\s_-])(?:article-?body|article-?content|article-?text|articlebody|story-?body|"
    r"story-?content|post-?body|post-?content|entry-?content|entry-?body|main-?content|"
    r"body-?text|rich-?text|prose|content-?body|text-?body)(?:$|[\s_-])"
)

# Containers that announce themselves as the article, in order of trust.
ARTICLE_SELECTOR = (
    "[itemprop=articleBody], [itemprop=articlebody], article, [role=main], main, [role=article]"
)

# Lines that are furniture when they stand alone as a short block. Matched against the
# whole (lowercased, collapsed) block text.
_LINES_BEFORE = r"""
        advertisement|advertisements|advertising|advert|ad|sponsored(?:\ content)?|
        [\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://)?(?:www\.)?[\w-]+\.\w{2,}/\S*|
        \[\w+\ [^\]]*=[^\]]*\].*|
        share(?:\ this)?(?:\ (?:article|story|post|page))?(?:\ on\ \w+)?|
        (?:share|follow)\ (?:us\ )?on\ \w+|tweet|email|print|copy\ link|link\ copied|
        read\ more|read\ next|see\ more|show\ more|load\ more|continue\ reading|
        related(?:\ (?:articles?|stories|posts|content|coverage|reading|topics))?|
        more\ (?:on|from|about)\ .{0,40}|recommended(?:\ for\ you)?|
        you\ (?:may|might)\ also\ like|most\ (?:read|popular|viewed)|trending(?:\ now)?|
        sign\ up|subscribe(?:\ now)?|log\ ?in|sign\ in|register|
        (?:photo|image|picture|video|source|credit)s?\ ?:.{0,60}|
        (?:getty\ images|ap\ photo|reuters|afp|shutterstock)(?:/.{0,40})?|
        (?:image|photo|picture|slide|video)\ \d+\ (?:of|/)\ \d+|caption|close|expand|
        \[\ ?\w+(?:\ \w+)?\ ?\]|explore\ further|further\ reading|back\ to\ top|
        skip\ to\ (?:main\ )?content|
        comments?|\d+\ comments?|
        leave\ a\ (?:comment|reply)|previous(?:\ article)?|next(?:\ article)?|
        tags?\ ?:.{0,80}|topics?\ ?:.{0,80}|filed\ under\ ?:?.{0,80}|
        all\ rights\ reserved.{0,40}|(?:copyright|©).{0,80}|
        (?:updated|published|posted)\ ?:?.{0,40}|loading\.*|please\ wait\.*|
        this\ (?:article|story)\ (?:is|was)\ (?:\w+\ ){0,3}(?:from|by)\ .{0,40}|
        publicit[ée]|anzeige|werbung|publicidad|pubblicit[àa]|
        (?:«|<<|‹)\ ?.{0,60}|back\ to\ .{0,40}|
        (?:publi[ée]|ver[öo]ffentlicht|publicado|pubblicato)\ (?:le|am|el|il)\ .{0,40}|
        (?:\w+,?\ )?\d{1,2}(?:st|nd|rd|th)?\.?\ [^\W\d]+\.?,?\ \d{4}|
        [^\W\d]+\.?\ \d{1,2}(?:st|nd|rd|th)?,?\ \d{4}|
        \d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|
"""
# Lines that only a bullet ("·", "|", "•") can make: without one in the text, these
# alternatives cannot match, and they are the costly ones (each tries every prefix).
_BULLET_LINES = r"""
        .{0,80}[·|•]\ ?(?:posted|updated|published)\b.{0,60}|
        .{0,100}[·|•]\ ?\d+\ comments?|
"""
_LINES_AFTER = r"""
        (?:posted|written|submitted|geschrieben|verfasst|enviado|publicado|[ée]crit)\ 
        (?:by|von|por|par)\ .{0,100}
"""
_FURNITURE_LINES = re.compile(
    r"^(?:" + _LINES_BEFORE + _BULLET_LINES + _LINES_AFTER + r")[.:!]?$", re.VERBOSE
)
_FURNITURE_LINES_PLAIN = re.compile(
    r"^(?:" + _LINES_BEFORE + _LINES_AFTER + r")[.:!]?$", re.VERBOSE
)

# Text that betrays a call to action or consent notice anywhere in a short block.
_FURNITURE_PHRASES = re.compile(
    r"(?:sign up for (?:our|the) \w+|subscribe to (?:our|the) |newsletter|"
    r"we use cookies|cookie policy|accept (?:all )?cookies|privacy policy|terms of (?:use|service)|"
    r"all rights reserved|click here to|follow us on|download (?:our|the) app|"
    r"enable javascript|javascript is disabled|requires javascript|your browser does not support|"
    r"already a subscriber|create a free account|to continue reading|"
    r"thank you for (?:reading|subscribing|signing up)|support (?:our|independent) journalism|"
    r"^this entry was posted )",
)
# Every phrase above contains one of these; testing them first is much cheaper than the
# regular expression, which most lines then skip.
_PHRASE_KEYS = (
    "sign up",
    "subscri",
    "newsletter",
    "cookie",
    "privacy",
    "terms of",
    "reserved",
    "click",
    "follow us",
    "download",
    "javascript",
    "browser",
    "free account",
    "continue reading",
    "thank you",
    "journalism",
    "entry was posted",
)


# Names printed by share buttons; a short line made mostly of them is a share bar.
_SOCIAL_WORDS = frozenset(
    "facebook twitter whatsapp pinterest pin pint linkedin reddit email e-mail mail google+ "
    "google telegram messenger tumblr flipboard vk share tweet print copy link sms "
    "instagram youtube tiktok x".split()
)


# Labels of widget controls; a short line made only of them is a widget's chrome.
_CONTROL_WORDS = frozenset(
    "caption close expand collapse open hide show more less toggle menu search next "
    "previous prev back play pause mute unmute fullscreen image photo video gallery of "
    "enlarge zoom view".split()
)


def is_furniture_line(text: str) -> bool:
    """True when a short block's text is a stock furniture line ("Share this", "Ad", ...)."""
    # Every whitespace character but the plain space is non-printable: printable text
    # without doubled or outer spaces is already collapsed (rendered blocks nearly always).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        flat = text.lower()
    else:
        flat = " ".join(text.split()).lower()
    if not flat:
        return True
    if len(flat) <= 120:
        lines = (
            _FURNITURE_LINES
            if "·" in flat or "|" in flat or "•" in flat
            else _FURNITURE_LINES_PLAIN
        )
        if lines.match(flat):
            return True
        words = flat.split(" ")
        if len(words) <= 10:
            if sum(map(_SOCIAL_WORDS.__contains__, words)) * 2 > len(words):
                return True
            # At most six labels, every one a control's: the first other word settles it.
            labels = 0
            for word in words:
                label = word.strip(".:!|·•/")
                if label:
                    if label not in _CONTROL_WORDS:
                        break
                    labels += 1
            else:
                if labels <= 6:
                    return True
    if len(flat) > 300:
        return False
    for key in _PHRASE_KEYS:
        if key in flat:
            return _FURNITURE_PHRASES.search(flat) is not None
    return False
