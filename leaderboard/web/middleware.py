from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings


def client_ip(request):
    """The address django-axes counts failed logins for. Each of our proxies
    (DJANGO_TRUSTED_PROXIES of them) appends the address it saw to X-Forwarded-For, so
    the entry that many places from the end is the one the outermost proxy saw, and
    what a client wrote itself comes before it. With no proxy configured, or a header
    shorter than the chain, the connection's own address."""
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        entries = [e for e in entries if e]
        if len(entries) >= proxies:
            return entries[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class PermissionsPolicyMiddleware:
    """Turns off browser features the site never uses."""

    POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response


class StaticCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy built once: this site uses no nonces,
    no report-only policy and no per-view changes, so the header never varies, and
    building it cost a quarter of serving a cached page."""

    header = None

    def process_response(self, request, response):
        if HEADER not in response and not getattr(response, "_csp_exempt", False):
            if self.header is None:
                parts = self.get_policy_parts(request=request, response=response)
                self.header = build_policy(**asdict(parts))
            response[HEADER] = self.header
        return response
