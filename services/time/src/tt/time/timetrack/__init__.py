"""The TimeTrack Enterprise entry API (``/api/v2/ext/project_time_entries``, seed 004):
the same entries as v1, under TimeTrack's names, for a key/secret pair issued by auth."""
