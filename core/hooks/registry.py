"""Building the plugin manager: built-in plugins, entry points, and failure isolation."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pluggy

from core.hooks import specs as hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = hookspecs.PROJECT

# Built-in behaviour, registered like any plugin (and first, so it answers last).
DEFAULT_PLUGINS: tuple[str, ...] = (
    "core.default_plugins.tayside_status",
    "core.default_plugins.report_sections",
    "core.default_plugins.report_kpis",
    "core.default_plugins.report_greener",
    "core.default_plugins.report_recommendations",
    "core.default_plugins.report_self_evaluation",
    "core.default_plugins.annual_templates",
    "core.default_plugins.care_inspectorate",
    "core.default_plugins.national_measures",
    "core.default_plugins.kpi_combine",
    "core.default_plugins.suggest_rag",
    "core.default_plugins.webhook",
)


class DuplicatePluginError(RuntimeError):
    """Start-up refuses a plugin name or object registered twice."""


@dataclass(frozen=True)
class PluginProblem:
    """Something a plugin got wrong, said so a plugin author can fix it."""

    plugin: str
    message: str
    source: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.source, self.field) if part)
        return f"plugin {self.plugin!r}: {where + ': ' if where else ''}{self.message}"


@dataclass
class PluginRegistry:
    """The app's plugin manager, and the plugins that failed to load."""

    pm: pluggy.PluginManager
    problems: list[PluginProblem] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    def names(self) -> list[str]:
        return [name for name, _ in self.pm.list_name_plugin()]

    def call_each(
        self,
        hook_name: str,
        problems: list[PluginProblem] | None = None,
        expect: type | None = None,
        **kwargs: Any,
    ) -> Iterator[tuple[str, Any]]:
        """Call a hook on each plugin separately, in pluggy's order, yielding
        ``(plugin name, answer)`` for each answer that is not ``None``.

        A plugin whose hook raises, or (given ``expect``) answers something that is not an
        ``expect``, is logged, added to ``problems`` if given, and skipped, so one failing
        plugin does not take the others down.
        """
        caller = getattr(self.pm.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):
            try:
                answer = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except Exception as exc:  # a plugin's bug is reported, not fatal
                log.exception("plugin %r: hook %s raised", impl.plugin_name, hook_name)
                self._report(problems, impl.plugin_name, f"hook {hook_name} raised {exc!r}")
                continue
            if answer is None:
                continue
            if expect is not None and not isinstance(answer, expect):
                message = f"hook {hook_name} answered {answer!r}, which is not a {expect.__name__}"
                log.error("plugin %r: %s", impl.plugin_name, message)
                self._report(problems, impl.plugin_name, message)
                continue
            yield impl.plugin_name, answer

    @staticmethod
    def _report(problems: list[PluginProblem] | None, plugin: str, message: str) -> None:
        if problems is not None and PluginProblem(plugin, message) not in problems:
            problems.append(PluginProblem(plugin, message))

    def first_answer(
        self,
        hook_name: str,
        expect: type | None = None,
        problems: list[PluginProblem] | None = None,
        **kwargs: Any,
    ) -> tuple[str | None, Any]:
        """The first usable answer of a ``firstresult`` hook and the plugin that gave it,
        skipping plugins that raise or (given ``expect``) answer the wrong type; ``(None,
        None)`` when no plugin answers."""
        return next(self.call_each(hook_name, problems, expect, **kwargs), (None, None))

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin's name, version and the hooks it implements."""
        rows = []
        for name, plugin in self.pm.list_name_plugin():
            hooks = sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])
            version = self.versions.get(name) or getattr(plugin, "__version__", None)
            rows.append({"name": name, "version": version or "built-in", "hooks": hooks})
        return rows


def build_registry(
    *, entry_points: bool = True, extra: Iterable[tuple[str, object]] = ()
) -> PluginRegistry:
    """A fresh plugin manager: the built-in plugins, then entry points, then ``extra``.

    ``extra`` is ``(name, plugin)`` pairs, so tests register plugins in-process.
    A plugin that fails to import or implements an unknown hook is left out and reported;
    a name or plugin object registered twice stops start-up.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    registry = PluginRegistry(pm)
    for module_name in DEFAULT_PLUGINS:
        _register(registry, module_name, importlib.import_module(module_name))
    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            try:
                plugin = ep.load()
            except Exception as exc:
                registry.problems.append(PluginProblem(ep.name, f"could not be loaded: {exc!r}"))
                continue
            _register(registry, ep.name, plugin)
            if ep.dist is not None:
                registry.versions[ep.name] = ep.dist.version
    for name, plugin in extra:
        _register(registry, name, plugin)
    return registry


def _register(registry: PluginRegistry, name: str, plugin: object) -> None:
    pm = registry.pm
    if pm.has_plugin(name) or pm.is_registered(plugin):
        raise DuplicatePluginError(
            f"plugin {name!r} is registered twice: check the {ENTRY_POINT_GROUP!r} entry points"
        )
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as error:  # a hook whose arguments do not match
        registry.problems.append(PluginProblem(name, f"was left out: {error}"))
        return
    unknown = [c.name for c in pm.get_hookcallers(plugin) or [] if not c.has_spec()]
    if unknown:
        pm.unregister(plugin)
        registry.problems.append(
            PluginProblem(name, f"implements unknown hooks: {', '.join(sorted(unknown))}")
        )
