from agriadvisor.cli import main

main()
