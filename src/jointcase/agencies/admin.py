from __future__ import annotations

from jointcase.admin import AuditedModelAdmin, ReadOnlyAccessMixin, admin_site
from jointcase.agencies.models import Agency, Caveat, Team, TeamMembership


class AgencyAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


class TeamAdmin(AuditedModelAdmin):
    list_display = ("name", "agency", "manager")
    search_fields = ("name", "agency__name")
    raw_id_fields = ("manager",)


class TeamMembershipAdmin(ReadOnlyAccessMixin, AuditedModelAdmin):
    """Read-only: team memberships carry case access and change only on the agency pages."""

    list_display = ("user", "team", "start", "end")
    list_filter = ("team__agency",)
    search_fields = ("user__username", "team__name")


class CaveatAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "is_active")


admin_site.register(Agency, AgencyAdmin)
admin_site.register(Team, TeamAdmin)
admin_site.register(TeamMembership, TeamMembershipAdmin)
admin_site.register(Caveat, CaveatAdmin)
