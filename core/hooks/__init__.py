"""The plugin seam: the hook specifications (``specs``, each hook's docstring its
documentation), the types the hooks pass (``report``, ``report_data``, ``rag``, ``kpi``,
``change``, ``rollup``, ``plugin_data``), the registry that finds and calls plugins
(``registry``) and the generator of the hook reference in docs/plugins.md (``reference``).
Imports no service. The old paths (``core.hookspecs``, ``core.report_types``, ...) are what
plugins import, and stay."""
