from coursebuilder.cli import main

main()
