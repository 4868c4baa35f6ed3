from talkdeck.cli import main

main()
