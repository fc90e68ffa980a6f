"""The intake flow of the case workspace: signal → check with an inspection act → household and persons →
application with consent → registration → programme (ИПССС) approved by a collegial decision."""
