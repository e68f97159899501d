"""The Django admin as a browser drives it: a change form posted back as it was rendered."""

from __future__ import annotations

from typing import Any


def admin_form_data(response: Any) -> dict[str, Any]:
    """The POST a browser would send back from an admin change form, unchanged."""
    context = response.context
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if hasattr(field.widget, "widgets") and hasattr(field.widget, "decompress"):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value) if not hasattr(value, "isoformat") else value.isoformat()

    add(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[formset.management_form.add_prefix(key)] = value
        for form in formset.forms:
            add(form)
    return data
