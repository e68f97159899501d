"""Supervision contacts: planned appointments against actual contacts, with outcomes and
enforcement, measured against contact standards kept as a versioned data file
(``supervision/data/standards.yaml``). A contact's notes carry a label like any material and
are read at each reader's clearance. Who may see and do what is decided in ``jointcase.access``.
"""
