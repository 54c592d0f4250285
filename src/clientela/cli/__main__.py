from clientela.cli.main import main

main()
