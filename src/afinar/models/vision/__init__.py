"""Image backbones in plain torch (no torchvision) and the Afinar image-model folder format.

A folder holds ``config.json`` (``model_type: afinar-image``, the architecture, labels and the
preprocessing recipe) and ``model.safetensors`` with the architecture's own parameter names.
Use :func:`afinar.models.vision.folder.load_image_model` to get the ``nn.Module`` back, and
:func:`afinar.models.vision.folder.preprocess` to turn a PIL image into its input tensor.
"""

ARCHITECTURES = ("mobilenet_v2", "efficientnet_lite0")
