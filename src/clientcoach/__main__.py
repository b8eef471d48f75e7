from clientcoach.entry import main

main()
