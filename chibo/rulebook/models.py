from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.lib.intervals import dates_in_order


class RuleSetting(models.Model):
    """A unit's own value of a rule for itself and every unit below it, from a day on.

    The default of each rule comes from the regulation (its app's rules.py); a committee sets
    its own where the regulation lets it (a province's meeting window, a commune's attendance
    target). The nearest unit at or above wins. A new setting of the same rule by the same unit
    ends the previous one the day before, so the history of what applied when is kept.
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="rule_settings")
    key = models.CharField(_("quy định"), max_length=80)
    value = models.JSONField(_("giá trị"))
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quy định của đơn vị")
        verbose_name_plural = _("quy định của đơn vị")
        ordering = ["unit", "key", "valid_from"]
        constraints = [
            dates_in_order("rule_setting_dates_ordered", _("Ngày kết thúc phải sau ngày áp dụng.")),
            models.UniqueConstraint(
                fields=["unit", "key", "valid_from"],
                name="rule_setting_one_start",
                violation_error_message=_("Đơn vị đã đặt quy định này từ ngày đó."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
