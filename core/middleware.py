from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Bahasa Indonesia unless the visitor chose English with the language switch
    (a cookie), whatever the phone's own language. API clients may also ask with
    Accept-Language."""

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class HealthCheckMiddleware:
    """Answers /healthz before host validation and the HTTPS redirect: load balancers and
    container health checks call it by IP address over plain HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from core.views import healthz

            return healthz(request)
        return self.get_response(request)
