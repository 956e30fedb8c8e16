"""Words of the commercial spam that blog comment forms get and our training data lacks.

Both spam corpora the model learns from are YouTube self-promotion and SMS offers; neither
holds pharmacy, gambling, loan, replica, SEO, essay-mill, scam-recovery or adult spam, and the
model scores such comments low ("Buy cheap viagra now" with a link: 0.09 for spam). These
phrases, together with a link or an author website (what that spam is posted for), hold a
comment for a moderator, whose decisions then teach the next model. Each entry is a phrase of
whole words, matched case-insensitively after the leetspeak and look-alike folding the
classifier applies ("v1agra" is "viagra"), in the text, the author's name and website, and the
addresses linked to ("payday-loans.example" holds "payday loans"). Entries are specific on
purpose: "casino bonus", not "casino", so a news comment about a casino bill linking to the
article is not held for the word alone.
"""

from __future__ import annotations

COMMERCIAL_TERMS: tuple[str, ...] = (
    # pharmacy
    "viagra",
    "cialis",
    "levitra",
    "kamagra",
    "sildenafil",
    "tadalafil",
    "tramadol",
    "xanax",
    "phentermine",
    "online pharmacy",
    "canadian pharmacy",
    "no prescription",
    "without prescription",
    "male enhancement",
    "penis enlargement",
    "weight loss pills",
    "diet pills",
    "keto pills",
    # gambling
    "online casino",
    "casino online",
    "casino bonus",
    "free spins",
    "no deposit bonus",
    "online slots",
    "slot gacor",
    "judi online",
    "togel",
    "betting tips",
    # loans and money
    "payday loan",
    "payday loans",
    "bad credit loans",
    "cash advance",
    "instant loan",
    "quick loans",
    "make money online",
    "earn money online",
    "work from home jobs",
    "binary options",
    "forex signals",
    "crypto recovery",
    "bitcoin recovery",
    "recover lost funds",
    "recover my lost",
    "spell caster",
    "love spell",
    # replicas and outlets
    "replica watches",
    "replica handbags",
    "cheap jerseys",
    "louis vuitton outlet",
    "michael kors outlet",
    "cheap oakley",
    "ugg boots",
    # SEO, followers, essays
    "seo services",
    "buy backlinks",
    "backlinks",
    "link building service",
    "first page of google",
    "buy followers",
    "instagram followers",
    "essay writing service",
    "write my essay",
    "buy essay",
    "custom essay",
    "assignment help",
    # adult
    "escort service",
    "sex cam",
    "adult dating",
    "hot singles",
)
