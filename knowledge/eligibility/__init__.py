"""Who may get which benefit: a catalogue of benefits as cited data, and an
engine that checks a person's profile against it.

"Not enough information" is not "not eligible": a condition on a fact the
caller has not given makes the result `maybe`, together with the list of
facts that would settle it.
"""
