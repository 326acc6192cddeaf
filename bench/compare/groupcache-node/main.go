// groupcache-node: groupcache (Debian's golang-github-golang-groupcache-dev, built in GOPATH mode) as the other side
// of bench/compare. Written for the comparison; it embeds groupcache the way its users do.
//
//	-mode node: a groupcache peer on -self (its HTTPPool) with an HTTP front on the same port: GET /get?key=K answers
//	            the value (100 bytes, loaded by an in-process getter that counts calls); GET /loads prints the count.
//	-mode ring: balance and movement of groupcache's consistenthash with its default 50 replicas, as JSON.
//	-mode remote-keys: the first -count keys key-NNNNNNNNNNNN that -self does not own among -peers, one per line.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang/groupcache"
	"github.com/golang/groupcache/consistenthash"
)

func main() {
	mode := flag.String("mode", "node", "node or ring")
	self := flag.String("self", "http://127.0.0.1:8001", "this node's base URL")
	peers := flag.String("peers", "", "comma-separated base URLs of all nodes, self included")
	delay := flag.Duration("delay", 0, "time one load takes")
	valueBytes := flag.Int("value-bytes", 100, "size of loaded values")
	count := flag.Int("count", 100000, "keys to print in remote-keys mode")
	flag.Parse()

	if *mode == "ring" {
		ring()
		return
	}
	if *mode == "remote-keys" {
		remoteKeys(*self, strings.Split(*peers, ","), *count)
		return
	}

	var loads int64
	pool := groupcache.NewHTTPPool(*self)
	pool.Set(strings.Split(*peers, ",")...)
	group := groupcache.NewGroup("bench", 256<<20, groupcache.GetterFunc(
		func(_ context.Context, key string, dest groupcache.Sink) error {
			atomic.AddInt64(&loads, 1)
			time.Sleep(*delay)
			value := make([]byte, *valueBytes)
			copy(value, key)
			return dest.SetBytes(value)
		}))
	http.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		var value []byte
		if err := group.Get(r.Context(), r.URL.Query().Get("key"), groupcache.AllocatingByteSliceSink(&value)); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(value)
	})
	http.HandleFunc("/loads", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, atomic.LoadInt64(&loads))
	})
	http.HandleFunc("/ready", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	address := strings.TrimPrefix(*self, "http://")
	log.Fatal(http.ListenAndServe(address, nil))
}

// ring measures groupcache's consistenthash over 1,000,000 keys with the member names the K8sCache ring test uses.
func ring() {
	const keys = 1000000
	result := map[string]map[string]float64{}
	for _, n := range []int{3, 5, 10, 30, 100} {
		members := make([]string, n)
		for i := range members {
			members[i] = fmt.Sprintf("10.0.%d.%d:7070", i/200, i%200)
		}
		before := consistenthash.New(50, nil)
		before.Add(members...)
		after := consistenthash.New(50, nil)
		after.Add(append(append([]string{}, members...), "10.9.9.9:7070")...)
		counts := map[string]int{}
		moved := 0
		for k := 0; k < keys; k++ {
			key := "key-" + strconv.Itoa(k)
			owner := before.Get(key)
			counts[owner]++
			if after.Get(key) != owner {
				moved++
			}
		}
		max := 0
		for _, c := range counts {
			if c > max {
				max = c
			}
		}
		result[strconv.Itoa(n)] = map[string]float64{
			"maxOverMean": float64(max) / (float64(keys) / float64(n)),
			"movedOnJoin": float64(moved) / keys,
		}
	}
	json.NewEncoder(logWriter{}).Encode(result)
}

type logWriter struct{}

func (logWriter) Write(p []byte) (int, error) { return fmt.Print(string(p)) }

// remoteKeys prints keys whose owner, as groupcache's HTTPPool picks it (consistenthash, 50 replicas), is not self.
func remoteKeys(self string, peers []string, count int) {
	ring := consistenthash.New(50, nil)
	ring.Add(peers...)
	for k := 0; count > 0; k++ {
		key := fmt.Sprintf("key-%012d", k)
		if ring.Get(key) != self {
			fmt.Println(key)
			count--
		}
	}
}
