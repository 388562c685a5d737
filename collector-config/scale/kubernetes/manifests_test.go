// The example Kubernetes manifests (layout.yaml), checked without a cluster: every document decodes strictly
// into the Kubernetes API types of k8s.io/api (an unknown or misplaced field is an error, as the API server
// would refuse it), selectors match their pods, Services point at ports the pods expose, and every FAULTLINE_*
// variable a container sets is read by the configuration file that container loads.
package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

type object struct {
	kind     string
	name     string
	selector *metav1.LabelSelector
	pod      *corev1.PodTemplateSpec
	service  *corev1.Service
}

// decode reads one document strictly into the type its apiVersion and kind name.
func decode(doc []byte) (object, error) {
	var head metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return object{}, err
	}
	strict := func(into any) error { return yaml.UnmarshalStrict(doc, into) }
	switch head.APIVersion + " " + head.Kind {
	case "v1 Namespace":
		var o corev1.Namespace
		return object{kind: head.Kind, name: o.Name}, strict(&o)
	case "v1 Service":
		var o corev1.Service
		err := strict(&o)
		return object{kind: head.Kind, name: o.Name, service: &o}, err
	case "apps/v1 Deployment":
		var o appsv1.Deployment
		err := strict(&o)
		return object{kind: head.Kind, name: o.Name, selector: o.Spec.Selector, pod: &o.Spec.Template}, err
	case "apps/v1 StatefulSet":
		var o appsv1.StatefulSet
		err := strict(&o)
		return object{kind: head.Kind, name: o.Name, selector: o.Spec.Selector, pod: &o.Spec.Template}, err
	case "policy/v1 PodDisruptionBudget":
		var o policyv1.PodDisruptionBudget
		err := strict(&o)
		return object{kind: head.Kind, name: o.Name, selector: o.Spec.Selector}, err
	}
	return object{}, fmt.Errorf("no check for %s %s", head.APIVersion, head.Kind)
}

func load(t *testing.T) []object {
	t.Helper()
	raw, err := os.ReadFile("layout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var objects []object
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		o, err := decode([]byte(doc))
		if err != nil {
			t.Fatalf("document %d (%s %s): %v", i, o.kind, o.name, err)
		}
		objects = append(objects, o)
	}
	return objects
}

func TestEveryDocumentIsAValidKubernetesObject(t *testing.T) {
	if n := len(load(t)); n != 9 {
		t.Fatalf("layout.yaml has %d objects, the test knows 9", n)
	}
}

func TestSelectorsMatchTheirPods(t *testing.T) {
	objects := load(t)
	var pods []labels.Set
	for _, o := range objects {
		if o.pod != nil {
			pods = append(pods, o.pod.Labels)
		}
	}
	for _, o := range objects {
		if o.selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(o.selector)
		if err != nil {
			t.Fatalf("%s %s: %v", o.kind, o.name, err)
		}
		if o.pod != nil && !sel.Matches(labels.Set(o.pod.Labels)) {
			t.Errorf("%s %s: its selector does not match its own pod template", o.kind, o.name)
		}
		if o.pod == nil && !matchesAny(sel, pods) {
			t.Errorf("%s %s: its selector matches no pod", o.kind, o.name)
		}
	}
}

func matchesAny(sel labels.Selector, pods []labels.Set) bool {
	for _, p := range pods {
		if sel.Matches(p) {
			return true
		}
	}
	return false
}

func TestServicesReachPortsThePodsExpose(t *testing.T) {
	objects := load(t)
	for _, s := range objects {
		if s.service == nil {
			continue
		}
		sel := labels.SelectorFromSet(s.service.Spec.Selector)
		var exposed []int32
		for _, o := range objects {
			if o.pod != nil && sel.Matches(labels.Set(o.pod.Labels)) {
				for _, c := range o.pod.Spec.Containers {
					for _, p := range c.Ports {
						exposed = append(exposed, p.ContainerPort)
					}
				}
			}
		}
		if len(exposed) == 0 {
			t.Errorf("Service %s selects no pod", s.name)
		}
		for _, p := range s.service.Spec.Ports {
			target := p.Port
			if p.TargetPort.IntVal != 0 {
				target = p.TargetPort.IntVal
			}
			if !contains(exposed, target) {
				t.Errorf("Service %s port %s (%d): no container exposes it (%v)", s.name, p.Name, target, exposed)
			}
		}
	}
}

func contains(list []int32, v int32) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// The configuration files a container loads, from its --config arguments, as the repository has them.
var configFiles = map[string]string{
	"/etc/faultline/faultline.yaml":      "../../faultline.yaml",
	"/etc/faultline/edge.yaml":           "../edge.yaml",
	"/etc/faultline/gateway.yaml":        "../gateway.yaml",
	"/etc/jaeger/jaeger-opensearch.yaml": "../jaeger-opensearch.yaml",
}

func TestEveryVariableSetIsReadByTheConfigLoaded(t *testing.T) {
	for _, o := range load(t) {
		if o.pod == nil {
			continue
		}
		for _, c := range o.pod.Spec.Containers {
			var configs [][]byte
			for i, a := range c.Args {
				if a != "--config" || i+1 >= len(c.Args) {
					continue
				}
				file, ok := configFiles[c.Args[i+1]]
				if !ok {
					t.Fatalf("%s %s: unknown config %s", o.kind, o.name, c.Args[i+1])
				}
				text, err := os.ReadFile(filepath.FromSlash(file))
				if err != nil {
					t.Fatal(err)
				}
				configs = append(configs, text)
			}
			for _, e := range c.Env {
				if !strings.HasPrefix(e.Name, "FAULTLINE_") {
					continue
				}
				if !bytes.Contains(bytes.Join(configs, nil), []byte("${env:"+e.Name+":")) {
					t.Errorf("%s %s: %s is set but no config it loads reads it", o.kind, o.name, e.Name)
				}
			}
		}
	}
}
