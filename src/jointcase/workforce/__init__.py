"""Caseloads, capacity and allocation (weights and caps kept as versioned data), prison
counter-terrorism training (a course catalogue and each role's required courses, as data) and
prison offender manager involvement. Who may see and do what is decided in ``jointcase.access``.
"""
