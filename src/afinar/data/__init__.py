"""The dataset toolkit: validate, fix, convert, stats, estimate, split.

This package never imports torch (a unit test enforces it): it runs in the web process, the API
server's upload path and light installs.
"""
