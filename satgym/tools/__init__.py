"""Tools above the environments, policies and agents: the ``satgym`` command line and its
subcommands (``demo``, ``compare``, ``bench``). Nothing below imports them; they reach policies and
agents through the registries (:mod:`satgym.policies`, the ``satgym.commands`` entry points)."""
