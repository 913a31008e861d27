"""/submit/, /submissions/ and /submissions/<id>/: anyone sends a result, the rules
check it at once (``rules.submissions``), and its page says what became of it."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.generic import DetailView, FormView, ListView

from ..models import AIModel, Benchmark, BenchmarkVersion, Organization
from ..models.submissions import RESULTS_FILE_MAX_BYTES, Submission
from ..reading.changes import SLUG
from ..rules import run_settings, submissions
from ..rules.run_settings import SETTINGS
from ..web import throttle
from .compare import find_models

# How it was measured: every setting a result records (``run_settings.SETTINGS``).
MEASURED = [setting.field for setting in SETTINGS]
SUBMITTED = [
    "benchmark",
    "version",
    "value",
    "stderr",
    "rank",
    "reported_on",
    *MEASURED,
    "provenance",
    "claimed_by",
    "source_url",
    "source_title",
    "quote",
    "source_text",
    "note",
    "contact",
]


class SubmissionForm(forms.ModelForm):
    """A result as its source states it. The model is named (name, alias or slug of
    one the site lists) or new; a new one needs its organization."""

    model_named = forms.CharField(
        label="Model",
        max_length=200,
        required=False,
        help_text="A model the site lists: its name, an alias or its slug.",
    )
    results_file = forms.FileField(
        label="Or an lm-evaluation-harness results file",
        required=False,
        help_text="A results_*.json file as the harness writes it (up to 5 MB): it states "
        "the model, the benchmarks and the figures, and is kept as the source's text. Leave "
        "the result and its source above empty.",
    )
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this empty")

    class Meta:
        model = Submission
        fields = ["new_model_name", "new_model_organization", *SUBMITTED]
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 4}),
            "reported_on": forms.DateInput(attrs={"type": "date"}),
        }

    field_order = ["model_named", "new_model_name", "new_model_organization", *SUBMITTED]
    # The form's parts, each under a legend.
    PARTS = [
        ("The model", ["model_named", "new_model_name", "new_model_organization"]),
        ("The result", ["benchmark", "version", "value", "stderr", "rank", "reported_on"]),
        ("How it was measured, as the source says (leave empty what it does not)", MEASURED),
        (
            "Where it comes from",
            ["provenance", "claimed_by", "source_url", "source_title", "quote", "source_text"],
        ),
        ("Or a results file", ["results_file"]),
        ("For the editors", ["note", "contact", "website"]),
    ]

    def parts(self):
        """(legend, bound fields) for each part of the form, in order."""
        return [(legend, [self[name] for name in names]) for legend, names in self.PARTS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benchmark"].queryset = Benchmark.objects.order_by("name")
        self.fields["version"].queryset = BenchmarkVersion.objects.select_related(
            "benchmark"
        ).order_by("benchmark__name", "name")
        for name in ("new_model_organization", "claimed_by"):
            self.fields[name].queryset = Organization.objects.order_by("name")

    def clean_results_file(self):
        """The file's text: UTF-8, within ``RESULTS_FILE_MAX_BYTES``, checked before
        it is read."""
        upload = self.cleaned_data.get("results_file")
        if not upload:
            return ""
        if upload.size > RESULTS_FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a results file may have up to "
                f"{RESULTS_FILE_MAX_BYTES:,}."
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError("This form was filled in by a program: not kept.")
        named = cleaned.get("model_named", "").strip()
        new_name = cleaned.get("new_model_name", "").strip()
        self.instance.results_file = cleaned.get("results_file") or ""
        if self.instance.results_file:
            return self.clean_for_a_file(cleaned, named, new_name)
        for name in ("benchmark", "source_url", "source_title", "quote"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, "Give it, or send a results file instead.")
        if named and new_name:
            self.add_error("new_model_name", "Name the model once: a listed one or a new one.")
        elif named:
            self.choose_listed(named, otherwise=" Give it as a new model below.")
        elif not new_name:
            self.add_error("model_named", "Name the model: one the site lists, or a new one.")
        elif not cleaned.get("new_model_organization"):
            self.add_error("new_model_organization", "A new model needs its organization.")
        return cleaned

    def clean_for_a_file(self, cleaned, named, new_name):
        """A results file states the result: the fields for one are left empty, and
        the model is the one the file names, or one the site lists named here."""
        given = [n for n in ("benchmark", "value", "quote", "source_url") if cleaned.get(n)]
        given += [n for n in MEASURED if cleaned.get(n) not in (None, "")]
        if given:
            self.add_error(
                None,
                "Send a results file or one result, not both: leave "
                + ", ".join(self.fields[n].label.lower() for n in given)
                + " empty.",
            )
        if new_name:
            self.add_error(
                "new_model_name",
                "A results file is imported for a model the site lists: ask an editor to "
                "add it first, or name it among the listed ones.",
            )
        if named:
            self.choose_listed(named)
        return cleaned

    def choose_listed(self, named, otherwise=""):
        """The submission's model: the one the site lists by ``named`` (a name, an
        alias or a slug), or an error on the field saying none does, and ``otherwise``."""
        found, unknown = find_models([named])
        if unknown:
            self.add_error("model_named", unknown[0] + otherwise)
        else:
            self.instance.model = found[0]


class SubmitView(FormView):
    """The form; a sent submission the rules accept is kept as pending and its page
    shown; one they refuse is shown again with what to fix; a repeat points at what
    the site holds."""

    template_name = "leaderboard/submit.html"
    form_class = SubmissionForm

    def get_initial(self):
        """What a model's or benchmark's page fills in (``?model=``, ``?benchmark=``,
        by slug); a value naming nothing fills in nothing."""
        initial = {}
        asked = {
            name: value
            for name in ("model", "benchmark")
            if SLUG.match(value := self.request.GET.get(name, ""))
        }
        model = AIModel.objects.filter(slug=asked.get("model")).first()
        if model is not None:
            initial["model_named"] = model.name
        benchmark = Benchmark.objects.filter(slug=asked.get("benchmark")).first()
        if benchmark is not None:
            initial["benchmark"] = benchmark.pk
        return initial

    def post(self, request, *args, **kwargs):
        wait = throttle.seconds_to_wait(request)
        if wait:
            response = render(
                request, "leaderboard/submit_wait.html", {"minutes": -(-wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        submission = form.instance
        submission.client = throttle.client_key(self.request)
        errors = submissions.rule_errors(submission)
        for field, messages in errors.items():
            for message in messages:
                form.add_error(None if field == NON_FIELD_ERRORS else field, message)
        if errors:
            return self.form_invalid(form)
        duplicate = submissions.duplicate_of(submission)
        if duplicate is not None:
            context = self.get_context_data(form=form, duplicate=duplicate)
            return self.render_to_response(context, status=409)
        submission.save()
        return HttpResponseRedirect(submission.get_absolute_url(), status=303)

    def form_invalid(self, form):
        throttle.count_attempt(self.request)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SubmissionListView(ListView):
    template_name = "leaderboard/submission_list.html"
    context_object_name = "submissions"
    paginate_by = 50
    queryset = Submission.objects.select_related("model", "benchmark")


class SubmissionDetailView(DetailView):
    template_name = "leaderboard/submission_detail.html"
    context_object_name = "submission"
    queryset = Submission.objects.select_related(
        "model", "benchmark", "version", "claimed_by", "result", "new_model_organization"
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.status == Submission.Status.PENDING:
            context["adds"] = submissions.what_it_adds(self.object)
        context["measured_as"] = run_settings.description(self.object)
        return context
