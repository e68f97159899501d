from __future__ import annotations

from jointcase.admin import AuditedModelAdmin, admin_site
from jointcase.agencies.models import Agency, Caveat, Team, TeamMembership


class AgencyAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


class TeamAdmin(AuditedModelAdmin):
    list_display = ("name", "agency", "manager")
    search_fields = ("name", "agency__name")
    raw_id_fields = ("manager",)


class TeamMembershipAdmin(AuditedModelAdmin):
    list_display = ("user", "team", "start", "end")
    raw_id_fields = ("user", "team")


class CaveatAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "is_active")


admin_site.register(Agency, AgencyAdmin)
admin_site.register(Team, TeamAdmin)
admin_site.register(TeamMembership, TeamMembershipAdmin)
admin_site.register(Caveat, CaveatAdmin)
