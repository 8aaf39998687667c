"""Saved web pages, written for the tests, with what main-text extraction must keep and drop.

Each page is shaped like a real one of its kind (navigation, cookie banner, share
buttons, related links, sidebar, comments, footer around the article).  ``keep``
lists the article's paragraphs, in order, each of which must come out as a
paragraph of its own; ``drop`` lists boilerplate that must not come out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SavedPage:
    """A saved page and the paragraphs extraction must keep and drop."""

    name: str
    html: str
    keep: tuple[str, ...]
    drop: tuple[str, ...]


NEWS = SavedPage(
    "news.html",
    """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Ministers agree on river treaty | The Daily Courier</title>
<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
<style>.cookie{position:fixed;bottom:0}</style></head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience. By continuing
to browse you agree to our use of cookies.</p><button>Accept all</button><button>Manage settings</button></div>
<header class="site-header"><a class="logo" href="/">The Daily Courier</a>
<nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li>
<li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<main>
<nav class="breadcrumb"><a href="/">Home</a> › <a href="/world">World</a> › Europe</nav>
<article class="story">
<h1>Ministers agree on river treaty after twelve years of talks</h1>
<p class="byline">By Anna Keller, Europe correspondent · 14 March 2024</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Email</a></div>
<p>Environment ministers from five countries signed a treaty on Thursday that sets shared limits on how much
water may be drawn from the river during dry summers, ending twelve years of negotiations.</p>
<p>The agreement creates a joint commission with the power to inspect dams and irrigation works in every
member state, and it obliges governments to publish their monthly water readings.</p>
<figure><img src="/img/river.jpg" alt=""><figcaption>The river near the border. Photo: Agency</figcaption></figure>
<p>“This is the first time we have a rulebook that everyone has signed,” said the chair of the talks, who
described the final night of bargaining as “long, tense and, in the end, generous”.</p>
<h2>Farmers cautious</h2>
<p>Farmers’ associations welcomed the treaty but warned that the limits on summer withdrawals would cost
growers in the lower valley, where rainfall has fallen by a fifth since the 1990s.</p>
<p>The treaty must still be ratified by each national parliament, a process that officials expect to take
at least two years.</p>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a1">Drought hits lower valley for third year</a></li>
<li><a href="/a2">Opinion: why water treaties fail</a></li>
<li><a href="/a3">Dam project stalls over funding</a></li></ul></aside>
</article>
<section class="newsletter"><h3>Get the morning briefing</h3><p>Sign up for our free newsletter and get the
day's top stories in your inbox every morning.</p><form><input type="email"><button>Sign up</button></form></section>
</main>
<footer class="site-footer"><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
<li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul>
<p>© 2024 The Daily Courier Ltd. All rights reserved.</p></footer>
<script src="/static/app.js"></script>
</body></html>""",
    keep=(
        "Environment ministers from five countries signed a treaty on Thursday",
        "The agreement creates a joint commission with the power to inspect dams",
        "“This is the first time we have a rulebook that everyone has signed,”",
        "Farmers’ associations welcomed the treaty but warned",
        "The treaty must still be ratified by each national parliament",
    ),
    drop=("We use cookies", "Subscribe", "Share on Facebook", "Related stories", "Dam project stalls",
          "Sign up for our free newsletter", "All rights reserved", "Privacy policy", "dataLayer"),
)

BLOG = SavedPage(
    "blog.htm",
    """<html><head><title>Notes on sourdough – Crumb & Crust</title></head>
<body><div id="wrapper">
<div id="topbar"><a href="/">Crumb &amp; Crust</a> | <a href="/recipes">Recipes</a> | <a href="/about">About</a>
| <a href="/shop">Shop</a> | <a href="/login">Log in</a></div>
<div id="content" class="post">
<h1 class="entry-title">Notes on sourdough after a year of baking</h1>
<div class="entry-meta">Posted on 2 February 2024 by Marie · 14 comments</div>
<div class="entry-content">
<p>A year ago I fed a starter for the first time, and since then I have baked roughly two loaves a week.
These are the notes I wish someone had given me at the start.</p>
<h2>The starter</h2>
<p>Keep the starter in a glass jar so you can see how far it rises. A healthy starter doubles within six
hours of feeding at room temperature; if it does not, feed it twice a day for a week before baking.</p>
<blockquote><p>Flour, water, salt and time: everything else is detail.</p></blockquote>
<h2>The dough</h2>
<p>I now use a little less water than most recipes ask for. A wetter dough gives an open crumb, but it is
much harder to shape, and a badly shaped loaf spreads flat in the oven.</p>
<ul><li>Mix flour and water and let it rest for an hour before adding salt.</li>
<li>Fold the dough four times during the first two hours.</li>
<li>Shape it, then leave it in the fridge overnight.</li></ul>
<p>Bake in a covered pot for the first twenty minutes: the trapped steam lets the loaf rise before the
crust sets.</p>
</div>
<div class="share-buttons">Share this: <a href="#">Pinterest</a> <a href="#">Facebook</a></div>
<div class="tags">Tags: <a href="#">bread</a>, <a href="#">sourdough</a>, <a href="#">baking</a></div>
</div>
<div id="comments"><h3>14 comments</h3>
<div class="comment"><p><b>Tom</b> said: Great post, thank you! How much salt do you use?</p></div>
<div class="comment"><p><b>Marie</b> said: About two percent of the flour weight.</p></div>
</div>
<div id="sidebar"><h3>Archives</h3><ul><li><a href="#">January 2024</a></li><li><a href="#">December 2023</a>
</li></ul><h3>Popular posts</h3><ul><li><a href="#">The perfect baguette at home</a></li>
<li><a href="#">Rye bread for beginners</a></li></ul></div>
<div id="footer">Powered by WordPress · Theme by Example · Back to top</div>
</div></body></html>""",
    keep=(
        "A year ago I fed a starter for the first time",
        "Keep the starter in a glass jar so you can see how far it rises.",
        "Flour, water, salt and time: everything else is detail.",
        "I now use a little less water than most recipes ask for.",
        "Fold the dough four times during the first two hours.",
        "Bake in a covered pot for the first twenty minutes",
    ),
    drop=("Log in", "Archives", "Popular posts", "The perfect baguette", "Powered by WordPress", "Pinterest",
          "Great post, thank you"),
)

PRESS = SavedPage(
    "statement.html",
    """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>Statement by the Ministry on the conference</title></head><body>
<table width="100%"><tr><td class="top"><a href="index.html">Home</a> | <a href="news.html">News</a>
| <a href="minister.html">The Minister</a> | <a href="contact.html">Contact</a>
| <a href="fr/">Français</a></td></tr></table>
<div class="path">You are here: Home &gt; News &gt; Statements</div>
<div class="text">
<h3>Statement by the Ministry on the regional conference</h3>
<p class="date">2023/12/28</p>
<p>The regional conference closed in Genève on Wednesday after three days of talks on trade, energy and the
protection of shared rivers.</p>
<p>The Ministry welcomes the final declaration, which commits all delegations to a common approach to
cross-border electricity grids and to the exchange of data on water quality.</p>
<p>Delegations also agreed to meet again next year, at a date to be fixed by the chair, in order to review
the progress made on each of the points of the déclaration finale.</p>
</div>
<div class="tools"><a href="javascript:print()">Print</a> | <a href="javascript:close()">Close</a></div>
<div class="bottom">Copyright © Ministry of Foreign Affairs 2023 | Site map | Accessibility</div>
</body></html>""",
    keep=(
        "The regional conference closed in Genève on Wednesday",
        "The Ministry welcomes the final declaration",
        "Delegations also agreed to meet again next year",
    ),
    drop=("You are here", "Français", "Print", "Site map", "Copyright"),
)

PAGES = (NEWS, BLOG, PRESS)
