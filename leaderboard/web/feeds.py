"""/feed.atom: the latest changes to results as an Atom feed (``leaderboard.reading.changes``),
for readers who follow the leaderboard without visiting it. Takes the changes page's
filters (``?benchmark=<slug>``, ``?model=<slug>``); a value it cannot use answers 400
and says why, rather than quietly serving every change.

What the feed writes is XML, which cannot hold most control characters: text stored
before the site refused them (``leaderboard.rules.text_rules``) goes out with each one
replaced by U+FFFD, rather than the feed answering 500 to every reader."""

from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from ..models.submissions import Submission
from ..reading import changes
from ..rules.text_rules import replace_control_characters

# Entries the feed holds: the latest changes.
FEED_LENGTH = 50


class AtomFeed(Feed):
    """An Atom feed every text of which (titles, quotes, names) is fit for XML."""

    feed_type = Atom1Feed

    @staticmethod
    def tag_domain(request):
        """The domain its entries' tag URIs (RFC 4151) name: the host asked for."""
        return split_domain_port(request.get_host())[0] or "localhost"

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed = fit_for_xml(feed.feed)
        feed.items = [fit_for_xml(item) for item in feed.items]
        return feed


class ChangesFeed(AtomFeed):
    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except changes.BadFilter as error:
            return HttpResponseBadRequest(f"{error}\n", content_type="text/plain; charset=utf-8")

    def get_object(self, request, *args, **kwargs):
        """What the feed shows, read from the request (the feed object is shared by
        every request, so nothing is kept on it)."""
        chosen, problems = changes.read_filters(request.GET)
        if problems:
            raise changes.BadFilter(
                " ".join(problems) + " Use ?benchmark=<slug> or ?model=<slug>, as on /changes/."
            )
        return {
            "chosen": chosen,
            "domain": self.tag_domain(request),
            "base": request.build_absolute_uri("/").rstrip("/"),
        }

    def title(self, obj):
        about = [row.name for row in obj["chosen"].values()]
        suffix = f": {', '.join(about)}" if about else ""
        return f"Open-model leaderboard: changes to results{suffix}"

    def subtitle(self, obj):
        return (
            "Every result added, changed or removed, newest first, with whose claim it is, "
            "its source and the quote."
        )

    def link(self, obj):
        query = urlencode({name: row.slug for name, row in obj["chosen"].items()})
        return reverse("changes") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        query = urlencode({name: row.slug for name, row in obj["chosen"].items()})
        return reverse("feed") + (f"?{query}" if query else "")

    def items(self, obj):
        entries = changes.with_previous(changes.records(**obj["chosen"])[:FEED_LENGTH])
        for entry in entries:
            entry.feed = obj
        return entries

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        """A tag URI (RFC 4151) per history row: stable, and never a page's address."""
        return f"tag:{item.feed['domain']},{item.when:%Y-%m-%d}:result-change-{item.history_id}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.when

    def item_pubdate(self, item):
        return item.when

    def item_description(self, item):
        """The quote, whose claim it is and the source, linked at the passage."""
        base = item.feed["base"]
        if item.passage_url:
            source = format_html(
                '<a href="{}{}"><bdi>{}</bdi></a>', base, item.passage_url, item.source
            )
        else:
            source = "a source since deleted"
        measured = format_html("<p>Measured: {}</p>", item.measured_as) if item.measured_as else ""
        return format_html(
            "<p>{}</p>{}<blockquote><p>“{}”</p></blockquote><p>— {}, in {}</p>",
            item.title_html,
            measured,
            item.quote,
            item.whose_shown(changes.isolated_name, format_html),
            source,
        )


def fit_for_xml(values):
    """A feed's or an entry's values, each text with what XML cannot hold replaced
    (``replace_control_characters``; lists, such as categories, item by item)."""
    return {
        key: [replace_control_characters(v) for v in value]
        if isinstance(value, list | tuple)
        else replace_control_characters(value)
        for key, value in values.items()
    }


class SubmissionsFeed(AtomFeed):
    """/submissions/feed.atom: the latest submissions and what became of each, for
    submitters and editors who follow them without visiting. Never the contact or the
    client's address."""

    title = "Open-model leaderboard: submissions"
    subtitle = "Results sent by anyone, newest first, with what an editor decided."

    def get_object(self, request, *args, **kwargs):
        return {"domain": self.tag_domain(request)}

    def link(self, obj):
        return reverse("submissions")

    def feed_url(self, obj):
        return reverse("submissions_feed")

    def items(self, obj):
        rows = list(Submission.objects.select_related("model", "benchmark")[:FEED_LENGTH])
        for row in rows:
            row.feed = obj
        return rows

    def item_title(self, item):
        return f"#{item.pk} {item.get_status_display()}: {item.summary}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"tag:{item.feed['domain']},{item.submitted_at:%Y-%m-%d}:submission-{item.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.decided_at or item.submitted_at

    def item_pubdate(self, item):
        return item.submitted_at

    def item_description(self, item):
        reason = format_html("<p>The editor's reason: {}</p>", item.reason) if item.reason else ""
        if item.results_file:
            return format_html(
                "<p>{}: {}.</p>{}", item.get_status_display().capitalize(), item.summary, reason
            )
        return format_html(
            "<p>{}</p><blockquote><p>“{}”</p></blockquote><p>— {}</p>{}",
            item.get_status_display().capitalize(),
            item.quote,
            item.source_title,
            reason,
        )
