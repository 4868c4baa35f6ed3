from talkdeck.entry import main

main()
