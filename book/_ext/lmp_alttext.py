"""Image alt text from a notebook output's metadata (`{"image/png": {"alt": "..."}}`).

Why: myst-nb 1.x takes an image's alt only from cell metadata (`mystnb: image: alt:`), which is fixed text
in the notebook source, and from the output metadata it copies only width and height. Our alt texts carry
the figure's numbers (lmp_helpers.alttext, computed per pulje and data set when the notebook runs), so they
live in the output metadata, where nbconvert and JupyterLab read them too. This wraps myst-nb's
`render_image` to copy that one key onto the image node; cell-metadata alt (if any) still wins.
"""

from __future__ import annotations


def alt_from_output(data) -> str | None:
    """The alt text stored with a MimeData's output, if any."""
    meta = data.output_metadata.get(data.mime_type, {}) if data.output_metadata else {}
    alt = meta.get("alt") if isinstance(meta, dict) else None
    return " ".join(str(alt).split()) if alt else None


def _patch_myst_nb() -> None:
    from myst_nb.core.render import NbElementRenderer

    original = NbElementRenderer.render_image
    if getattr(original, "_lmp_alt", False):
        return

    def render_image(self, data):
        nodes = original(self, data)
        alt = alt_from_output(data)
        for node in nodes:
            if alt and not node.get("alt"):
                node["alt"] = alt
        return nodes

    render_image._lmp_alt = True
    NbElementRenderer.render_image = render_image


def setup(app):
    _patch_myst_nb()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
