from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation (`manage.py load_demo`): no models; each feature adds its part."""

    name = "chibo.demo"
    verbose_name = "Demo"
