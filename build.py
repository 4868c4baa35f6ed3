"""`python build.py ...` is the talkdeck CLI, for those who run the repository without installing it."""

from talkdeck.entry import main

if __name__ == "__main__":
    main()
