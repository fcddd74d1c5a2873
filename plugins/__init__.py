"""The area plugins shipped with the platform: Angus, Dundee, and Perth and Kinross."""
