# bench/results.png from results.dat (report.py writes both): requests/s and
# p99 per phase, SQLite beside PostgreSQL beside the two instances behind
# nginx. Log scales: the phases span from ~100 to ~50,000 requests/s.
# Called as: gnuplot -e "data='results.dat'; out='results.png'" results.gp
set terminal pngcairo size 1200,900 font "sans,11"
set output out
set datafile missing "NaN"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics mytics
set logscale y
set key top right
set xtics rotate by -20 scale 0
set multiplot layout 2,1 title "sesame-server, peak of each phase (wrk on loopback)"
set ylabel "requests/s (log)"
set format y "%g"
plot data using 2:xtic(1) title "SQLite" lc rgb "#3a7bd5", \
     ''   using 4 title "PostgreSQL" lc rgb "#e07b39", \
     ''   using 6 title "nginx, 2 instances on PostgreSQL" lc rgb "#4caf50"
set ylabel "p99 latency, ms (log)"
set key top left  # the right holds the tallest bars here
plot data using 3:xtic(1) title "SQLite" lc rgb "#3a7bd5", \
     ''   using 5 title "PostgreSQL" lc rgb "#e07b39", \
     ''   using 7 title "nginx, 2 instances on PostgreSQL" lc rgb "#4caf50"
unset multiplot
