"""The password backend: Django's ModelBackend, loading what every page shows in one query."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from jointcase.accounts.models import User


class UserBackend(ModelBackend):
    """Loads the signed-in user with their agency and vetting (the identity bar shows both)."""

    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("agency", "vetting").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
