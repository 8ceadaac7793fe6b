from coursebuilder.cli import run

run()
