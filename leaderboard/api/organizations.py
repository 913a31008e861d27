"""/api/organizations: who makes models, or claims results about them."""

from django.urls import reverse
from ninja import Query, Router

from ..models import Organization
from .paging import Links, PageParameters, SlugInPath, get_or_404, page_of
from .schemas import ERRORS, OrganizationDetail, OrganizationPage

router = Router(tags=["organizations"])


def organization_fields(organization, links):
    return {
        **links.named("organization", organization),
        "website": organization.website or None,
    }


@router.get("/organizations", response={200: OrganizationPage, **ERRORS})
def list_organizations(request, paging: Query[PageParameters]):
    """The organizations, by name."""
    rows, page = page_of(request, Organization.objects.order_by("name", "pk"), paging)
    links = Links(request)
    return {**page, "items": [organization_fields(o, links) for o in rows]}


@router.get("/organizations/{slug}", response={200: OrganizationDetail, **ERRORS})
def get_organization(request, slug: SlugInPath):
    """An organization, how many models it makes, and where to list them."""
    organization = get_or_404(Organization.objects.all(), slug, "organization")
    return {
        **organization_fields(organization, Links(request)),
        "model_count": organization.models.count(),
        "models_url": request.build_absolute_uri(
            f"{reverse('api:list_models')}?organization={organization.slug}"
        ),
    }
