"""Code scanners: serial line scanners, cameras (and video files), keyboard wedges."""
