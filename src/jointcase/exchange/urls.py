"""Pages of the exchange app: imports, their progress and quarantine."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from jointcase.exchange.views import imports, known

app_name = "exchange"

urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", imports.imports, name="imports"),
    path("imports/<uuid:batch_id>/", imports.batch, name="batch"),
    path("imports/<uuid:batch_id>/quarantine/", imports.quarantine, name="quarantine"),
    path("imports/quarantine/<uuid:row_id>/", imports.quarantined_row, name="quarantined-row"),
    path(
        "imports/quarantine/<uuid:row_id>/dismiss/",
        imports.quarantined_row_dismiss_page,
        name="quarantined-row-dismiss",
    ),
    path("known/", known.known, name="known"),
]

from jointcase.exchange.views import review  # noqa: E402 (the linkage review's own routes)

urlpatterns += [
    path("linkage/reviews/", review.reviews, name="reviews"),
    path("linkage/reviews/<uuid:linkage_id>/", review.review, name="review"),
    path("linkage/reviews/<uuid:linkage_id>/unlink/", review.review_unlink, name="review-unlink"),
]
