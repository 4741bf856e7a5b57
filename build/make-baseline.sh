#!/usr/bin/env bash
# Usage: build/make-baseline.sh VERSION [REV]
#
# Makes framework/api as committed at REV (default HEAD) the API release VERSION that
# `mvn verify` baselines framework/api against (bnd-baseline-maven-plugin): builds the api jar
# from a clean export of REV, puts it into the file-based Maven repository build/baseline-repo as
# org.bpfosgi.baseline:bpf-osgi-api:VERSION (replacing the previous baseline), and sets
# <bpfosgi.api.baseline> in the reactor's pom.xml to VERSION. Commit build/baseline-repo and
# pom.xml afterwards.
#
# VERSION must be new: a release never changes, and Maven keeps a copy of every release it has
# resolved in ~/.m2, so a rewritten VERSION would go unseen on every machine that built before.
# Extra Maven options (e.g. -o) can be given in MVN_OPTS_EXTRA.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "make-baseline: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: build/make-baseline.sh VERSION [REV]"
version="$1"
rev="${2:-HEAD}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION must be MAJOR.MINOR.MICRO, not '$version'"
command -v mvn >/dev/null || die "Maven (mvn) is needed"

repo="$root/build/baseline-repo"
gav_dir="$repo/org/bpfosgi/baseline/bpf-osgi-api"
[ -e "$gav_dir/$version" ] && die "baseline $version exists already; pick a new VERSION (a release never changes)"
git -C "$root" rev-parse --verify -q "$rev^{commit}" >/dev/null || die "no such revision: $rev"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$root" archive "$rev" | tar -x -C "$work"
log="$work/build.log"
if ! (cd "$work" && mvn -B -Dstyle.color=never ${MVN_OPTS_EXTRA:-} -pl framework/api -DskipTests \
        -Dbnd.baseline.skip -Dmaven.javadoc.skip -Denforcer.skip package) >"$log" 2>&1; then
  grep -E 'ERROR|BUILD' "$log" >&2 || cat "$log" >&2
  die "building framework/api at $rev failed"
fi
jar="$(ls "$work"/framework/api/target/bpf-osgi-api-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' | head -1 || true)"
[ -n "$jar" ] && [ -f "$jar" ] || die "no api jar was built"

rm -rf "$gav_dir"
mkdir -p "$gav_dir/$version"
base="$gav_dir/$version/bpf-osgi-api-$version"
cp "$jar" "$base.jar"
cat > "$base.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.bpfosgi.baseline</groupId>
  <artifactId>bpf-osgi-api</artifactId>
  <version>$version</version>
  <description>framework/api at $(git -C "$root" rev-parse --short "$rev"): the API release that framework/api is baselined against (build/make-baseline.sh)</description>
</project>
POM
cat > "$gav_dir/maven-metadata.xml" <<META
<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>org.bpfosgi.baseline</groupId>
  <artifactId>bpf-osgi-api</artifactId>
  <versioning>
    <latest>$version</latest>
    <release>$version</release>
    <versions><version>$version</version></versions>
  </versioning>
</metadata>
META
for f in "$base.jar" "$base.pom" "$gav_dir/maven-metadata.xml"; do
  sha1sum "$f" | cut -d' ' -f1 > "$f.sha1"
done

sed -i -E "s#<bpfosgi.api.baseline>[^<]*</bpfosgi.api.baseline>#<bpfosgi.api.baseline>$version</bpfosgi.api.baseline>#" "$root/pom.xml"
grep -q "<bpfosgi.api.baseline>$version</bpfosgi.api.baseline>" "$root/pom.xml" || die "could not set <bpfosgi.api.baseline> in pom.xml"

echo "baseline: org.bpfosgi.baseline:bpf-osgi-api:$version from framework/api at $rev"
if command -v unzip >/dev/null; then
  unzip -p "$base.jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -n '/^Export-Package:/,/^[A-Z][A-Za-z-]*:/p' | sed '$d'
fi
echo "now commit build/baseline-repo and pom.xml"
