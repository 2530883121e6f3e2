"""The one job system: every task's training (chat, text and image classification) and RAG
indexing (``rag-index``) is a job.

``store`` holds the state of every job in SQLite (``AFINAR_HOME/afinar.db``), the single source of
a job's status; a run folder holds the artefacts and what the training process records of itself
(``meta.json``, written only by that process once it has started). ``runner`` moves jobs through
one state machine::

    validating_files → queued → running ⇄ paused → succeeded | failed | cancelled

and starts each task's training process through its ``registry.TaskJob`` entry (the entries are
listed once, in ``afinar.tasks``, and handed to the runner: this package imports no task). The
server, the studio and ``afinar jobs`` all use it. No torch here.
"""
