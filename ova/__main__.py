from ova.entrypoints.cli.main import main

main()
