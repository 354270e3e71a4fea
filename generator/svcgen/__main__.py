from svcgen.cli import main

main()
