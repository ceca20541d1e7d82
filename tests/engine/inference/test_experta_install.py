"""experta swallows ImportErrors of its dependencies; a broken install must fail loudly here."""

from experta import Fact, KnowledgeEngine, Rule


def test_experta_imports_and_fires_a_rule():
    fired = []

    class Ping(Fact):
        pass

    class Engine(KnowledgeEngine):
        @Rule(Ping(n=1))
        def pong(self):
            fired.append("pong")

    engine = Engine()
    engine.reset()
    engine.declare(Ping(n=1))
    engine.run()
    assert fired == ["pong"]


def test_frozendict_override_in_effect():
    import frozendict

    major = int(frozendict.__version__.split(".")[0]) if hasattr(frozendict, "__version__") else 2
    assert major >= 2
