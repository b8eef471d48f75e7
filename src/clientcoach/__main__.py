from clientcoach.cli import main

main()
