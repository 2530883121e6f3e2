"""Text classification: fine-tune an encoder (default multilingual-e5-small) on ``text,label`` data.

Modules, in the order a run uses them:

- ``config``: the pydantic config; CLI flags, the saved ``config.yaml`` and the docs come from it.
- ``data``: validation, column detection, the stratified train/validation split (no torch).
- ``launch``: creates the run directory and runs ``train`` as a subprocess, showing its progress.
- ``train``: the training loop (``python -m afinar.tasks.text_classification.train RUN_DIR``).
- ``metrics``, ``baselines``, ``plots``, ``card``: the evaluation report and the model card.
- ``predict``: load a finished run and classify texts (the ``afinar predict`` entry point).
- ``export``: the Hugging Face Space folder (``afinar export space``).
"""
