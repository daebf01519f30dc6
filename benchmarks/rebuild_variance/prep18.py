import sys
from lastresort.training import data as D, build as B
D.HELD_OUT_WRITTEN = D.HELD_OUT_SEXUAL_MINORS
B.main(["--prepare-only", "--cache", "/tmp/cache18"])
