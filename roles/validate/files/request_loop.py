"""Ask a URL over and over until a stop file appears; write how many answers failed (JSON).

  request_loop.py URL HOST_HEADER STOP_FILE RESULT_FILE [MAX_SECONDS [INTERVAL]]

Run on the controller in the background by the drills that replace pods under a live ingress
(rolling_update, drain): every request must get a 200.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request


def main(url, host_header, stop_file, result_file, max_seconds="600", interval="0.1"):
    headers = {"Host": host_header} if host_header else {}
    started = time.monotonic()
    counts, failures = {"requests": 0, "failed": 0}, []
    while not os.path.exists(stop_file) and time.monotonic() - started < float(max_seconds):
        counts["requests"] += 1
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as answer:
                answer.read()
                ok, said = answer.status == 200, str(answer.status)
        except urllib.error.HTTPError as error:
            ok, said = False, str(error.code)
        except OSError as error:
            ok, said = False, type(error).__name__ + ": " + str(error)
        if not ok:
            counts["failed"] += 1
            failures.append({"at": round(time.monotonic() - started, 2), "answer": said})
        time.sleep(float(interval))
    result = {**counts, "seconds": round(time.monotonic() - started, 1), "failures": failures[:10]}
    with open(result_file + ".tmp", "w") as handle:
        json.dump(result, handle)
    os.replace(result_file + ".tmp", result_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
