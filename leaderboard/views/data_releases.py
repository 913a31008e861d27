"""/data/: the published data releases, their files and how to cite them. Not cached
under the data version (publishing a release does not change the data); each file is
served as written, with its SHA-256 as its ETag."""

from django.http import FileResponse, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from ..models import DataRelease
from ..models.data_releases import RELEASE_FILES
from ..reading.data_releases import bibtex, citation_cff


class DataReleaseListView(ListView):
    template_name = "leaderboard/data_release_list.html"
    context_object_name = "releases"
    queryset = DataRelease.objects.all()
    paginate_by = 50


class DataReleaseDetailView(DetailView):
    template_name = "leaderboard/data_release_detail.html"
    context_object_name = "release"
    slug_field = "number"
    slug_url_kwarg = "number"
    queryset = DataRelease.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(self.object.get_absolute_url())
        context.update(
            bibtex=bibtex(self.object, url),
            citation_cff=citation_cff(self.object, url),
            files=[
                (kind, name, self.object.size(kind), self.object.sha256(kind))
                for kind, (name, _) in RELEASE_FILES.items()
            ],
        )
        return context


def not_served(reason):
    """A file that cannot be served as published: 404, saying why, as text (the
    address is a file's)."""
    return HttpResponseNotFound(reason, content_type="text/plain; charset=utf-8")


def release_file(request, number, kind):
    """A release's file, as written when it was published."""
    release = get_object_or_404(DataRelease, number=number)
    path = release.path(kind)
    try:
        size = path.stat().st_size
    except OSError:
        return not_served(
            f"The files of release {number} are not kept on this server; their SHA-256 is on "
            "the release's page."
        )
    if size != release.size(kind):
        return not_served(f"The {kind.upper()} of release {number} is not as published.")
    etag = f'"{release.sha256(kind)}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        name, content_type = RELEASE_FILES[kind]
        response = FileResponse(
            path.open("rb"),
            content_type=content_type,
            as_attachment=True,
            filename=f"leaderboard-release-{number}-{name}",
        )
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def release_citation(request, number, kind):
    """How to cite a release: CITATION.cff or BibTeX, as text."""
    release = get_object_or_404(DataRelease, number=number)
    url = request.build_absolute_uri(release.get_absolute_url())
    if kind == "cff":
        return HttpResponse(citation_cff(release, url), content_type="text/plain; charset=utf-8")
    return HttpResponse(bibtex(release, url), content_type="text/plain; charset=utf-8")
