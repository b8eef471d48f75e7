from clientcoach.cli.entry import main

main()
